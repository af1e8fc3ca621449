// SwitchyardStore
