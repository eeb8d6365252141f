# Sign-up, login, logout, password recovery, e-mail verification.

field-username = Username
field-login = Username or e-mail
field-email = E-mail
field-first-name = First name
field-last-name = Last name
field-password = Password
field-password-repeat = Repeat the password
field-new-password = New password
field-new-password-repeat = Repeat the new password
hint-username = 3 to 32 characters: letters a–z, digits, _ . and - (upper case becomes lower case)
hint-password = 8 to 128 characters. Avoid common passwords and your username or e-mail.
form-fix-fields = Please correct the fields marked below.

login-title = Log in
login-submit = Log in
login-resend-link = Send the link again
login-forgot = Forgot your password?
login-new-here = New here?
login-create-account = Create an account
login-wrong = Wrong username, e-mail or password.

signup-title = Sign up
signup-heading = Create your account
signup-submit = Sign up
signup-have-account = Already have an account?
signup-log-in = Log in

forgot-title = Forgot your password
forgot-heading = Forgot your password?
forgot-sent = If an account matches, a link to choose a new password is on its way to its e-mail address. The link works once, for 30 minutes.
forgot-submit = Send me a link
forgot-back = Back to log in

reset-title = Choose a new password
reset-new-link = Ask for a new link
reset-submit = Set the new password

verify-title = E-mail verification
verify-link-unusable = This link cannot be used.
verify-new-link-from = Send yourself a new link from
verify-your-account = your account
verify-log-in = Log in
verify-to-send = to send yourself a new link.

flash-welcome-confirm = Welcome, { $name }! Confirm your address with the link we sent to { $email }, then log in.
flash-welcome = Welcome, { $name }! Your account is ready.
flash-logged-in = You are logged in.
flash-logged-out = You are logged out.
flash-password-reset = Your password was changed. Log in with it.
flash-email-verified = Thank you: { $email } is verified.
flash-link-sent = We sent a new link to { $email }.
flash-link-maybe-sent = If your address still needs confirming, a new link is on its way to it.
