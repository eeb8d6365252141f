# One's own account: profile, password, sessions, data, deletion; the home page.

home-title = Welcome
home-heading = Welcome to Portero
home-intro = Portero keeps your account, your profile and your purchases in one place. Browse the product catalog, buy what you need and find every purchase again later. Your sign-in is a server-side session: logging out, or changing your password, takes effect at once, on every device.
home-hello = Hello, { $name }!
home-signed-in-as = You are logged in as { $name }.
home-browse = Browse the products
home-purchases = See your purchases
home-profile = Edit your profile or change your password
home-sessions = Review where you are logged in
home-admin = Open the admin dashboard
home-not-signed-in = You are not logged in.
home-create-account = Create an account
home-log-in = Log in
home-just-browse = Or just browse the products
home-developers = For developers
home-api-before = Everything you can do here is also available as a JSON API under
home-api-described = described in the
home-api-docs = interactive API docs
home-api-and = and the
home-api-reference = API reference

account-title = Your account
account-about = About this account
account-role = Role
role-admin = Admin
role-user = User
account-verified = (verified { $date })
account-not-verified = (not verified)
account-resend-verification = Send the verification link again
account-member-since = Member since
account-last-login = Last login
account-never = never
account-see-sessions = See where you are logged in
account-tokens = Personal access tokens
account-purchases = Your purchases
account-profile = Profile
account-profile-not-saved = Your profile was not saved. Please correct the fields marked below.
field-address-optional = Address (optional)
field-phone-optional = Phone (optional)
account-save-profile = Save profile
account-change-password = Change password
account-password-logs-out = Changing your password logs out all your other sessions.
account-password-not-changed = Your password was not changed. Please correct the fields marked below.
field-current-password = Current password
account-your-data = Your data
account-download-data = Download your data
account-delete = Delete your account

sessions-title = Your sessions
sessions-heading = Where you are logged in
sessions-intro = Each row is a browser or program logged in to your account. If you do not recognise one, log it out and
sessions-change-password = change your password
sessions-caption = Your active sessions ({ $count })
sessions-logged-in = Logged in
sessions-last-seen = Last seen
sessions-ip = IP address
sessions-browser = Browser
sessions-actions = Actions
sessions-this-one = This session
sessions-unknown = unknown
sessions-log-out = Log out
sessions-log-out-this = Log out (this session)
sessions-started = the session started { $date }
sessions-count = { $count ->
    [one] { $count } active session.
   *[other] { $count } active sessions.
}
sessions-none = No active sessions.
sessions-log-out-others = Log out all other sessions

data-title = Your data
data-intro = Download a copy of everything Portero keeps about your account, as a JSON file:
data-profile = your profile,
data-sessions = your active sessions (where and when you logged in),
data-tokens = your personal access tokens (their names and dates; never the tokens themselves),
data-purchases = your purchases,
data-audit = the security log entries about your account.
data-download = Download my data
data-api = Programs can fetch the same from
data-leaving = Leaving
data-delete = Delete my account

delete-title = Delete your account
delete-not-deleted = Your account was not deleted
delete-warning = This deletes your account, your purchases and your basket at once, and logs you out everywhere. It cannot be undone.
delete-download-before = You may want to
delete-download-link = download your data
delete-download-after = first.
delete-password = Your password, to confirm
delete-submit = Delete my account for good
delete-keep = Keep my account

flash-profile-saved = Your profile was saved.
flash-password-changed = Your password was changed. Your other sessions were logged out.
flash-session-revoked = The session was logged out.
flash-sessions-revoked = { $count ->
    [one] { $count } other session logged out.
   *[other] { $count } other sessions logged out.
}
flash-account-deleted = Your account and your purchases were deleted. Goodbye!
