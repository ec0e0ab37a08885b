"""Who may do what: principals, their roles' rules, and the access tokens behind them."""
