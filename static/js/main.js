// placeholder until the drill lands
