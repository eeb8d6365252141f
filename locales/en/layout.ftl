# The layout every page shares: navigation, the language switcher, footer.

skip-to-content = Skip to content
nav-main = Main
nav-products = Products
nav-basket = Basket
nav-purchases = My purchases
nav-account = Account
nav-sessions = Sessions
nav-admin = Admin
nav-log-in = Log in
nav-sign-up = Sign up
nav-your-account = Your account
nav-signed-in-as = Logged in as { $name }
nav-log-out = Log out
switcher-label = Language
footer-api-docs = API docs
footer-api-reference = API reference (ReDoc)
throttled-minutes = { $minutes ->
    [one] Too many failed attempts. Try again in { $minutes } minute.
   *[other] Too many failed attempts. Try again in { $minutes } minutes.
}
