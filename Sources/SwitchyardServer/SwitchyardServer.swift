// SwitchyardServer
