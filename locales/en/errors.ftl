# Field errors. Each id is also the stable `code` the API reports beside
# the field, so ids here are never renamed.

required = This field is required.
too-short = Use at least { $min } characters.
too-long = Use at most { $max } characters.
control-characters = Remove the control characters.
username-required = Choose a username.
username-length = A username has { $min } to { $max } characters.
username-characters = Use only letters a-z, digits, '_', '.' and '-'.
username-taken = This username is taken.
email-required = Enter an e-mail address.
email-too-long = An e-mail address has at most { $max } characters.
email-invalid = Enter an e-mail address like name@example.com.
email-mixed-scripts = An e-mail address may not mix alphabets in one part (such as Latin and Cyrillic letters).
email-look-alike = This e-mail address imitates a plain Latin one; type it with the letters it shows.
email-taken = This e-mail address is already registered.
password-common = This password is too common; choose another.
password-is-username = The password must differ from the username.
password-is-email = The password must differ from the e-mail address.
passwords-differ = The two passwords differ.
password-unchanged = Choose a password different from the current one.
current-password-wrong = The current password is not correct.
phone-invalid = Enter a phone number of digits, spaces and + - ( ).
sku-length = A SKU has 1 to { $max } characters.
sku-characters = Use only letters, digits, '-', '_' and '.'.
product-name-length = A product name has 1 to { $max } characters.
price-range = A price is 0 to { $max } cents.
stock-range = Stock is 0 to { $max } units.
quantity-range = A quantity is 1 to { $max }.
link-invalid = This link is not valid: it may have expired or been used already.

# API problems (problem+json `title` and `detail`).
status-400 = Bad Request
status-401 = Unauthorized
status-403 = Forbidden
status-404 = Not Found
status-405 = Method Not Allowed
status-409 = Conflict
status-413 = Payload Too Large
status-415 = Unsupported Media Type
status-422 = Unprocessable Entity
status-429 = Too Many Requests
status-500 = Internal Server Error
status-503 = Service Unavailable
problem-400 = The request could not be parsed.
problem-401 = Log in first: this needs a valid session cookie or bearer token.
problem-403 = You are not allowed to do this.
problem-404 = There is nothing at this address.
problem-405 = This method is not allowed here.
problem-409 = Conflict.
problem-413 = The request body is larger than the limit.
problem-415 = Send the body as application/json.
problem-422 = The request body is not valid JSON for this endpoint (check field names and types).
problem-429 = Too many attempts; wait and try again.
problem-500 = The server could not complete the request.
problem-503 = The service is temporarily unavailable; retry after the Retry-After seconds.
problem-invalid = Some fields are not valid.
problem-bad-credentials = Wrong login or password.
problem-bad-token = The bearer token is not valid: unknown, expired or revoked.
problem-method = { $method } is not allowed here; use { $allowed }.

# The error page.
error-title = { $status ->
    [400] Bad Request
    [403] Forbidden
    [404] Not Found
    [405] Method Not Allowed
    [413] Payload Too Large
    [422] Unprocessable Entity
    [429] Too Many Requests
    [503] Service Unavailable
   *[other] Internal Server Error
}
error-400 = The request could not be understood.
error-403 = You do not have access to this page.
error-404 = There is no page at this address.
error-405 = This action is not available here.
error-413 = What you sent is too large.
error-422 = Some of what you sent could not be read. Go back and check the form.
error-429 = Too many attempts. Wait a little and try again.
error-503 = The service is temporarily unavailable. Try again shortly.
error-500 = Something went wrong on our side. Try again later.
error-ask-admin = If you think you should have access, ask an administrator.
error-check-address = Check the address, or start again from the home page.
error-home = Go to the home page
error-browse = Browse the products
