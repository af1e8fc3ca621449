// SwitchyardProviders
