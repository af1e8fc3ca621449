print("switchyard: not yet")
