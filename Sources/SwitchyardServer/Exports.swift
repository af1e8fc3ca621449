// The error that reading a configuration throws is part of this module's API (`SwitchyardConfig(yaml:)`,
// `SwitchyardRuntime`), so users of the server need not import the module it is declared in.
@_exported public import struct SwitchyardSettings.ConfigError
