# Registro, inicio y cierre de sesión, recuperación de contraseña y
# verificación del correo electrónico.

field-username = Nombre de usuario
field-login = Nombre de usuario o correo electrónico
field-email = Correo electrónico
field-first-name = Nombre
field-last-name = Apellidos
field-password = Contraseña
field-password-repeat = Repite la contraseña
field-new-password = Nueva contraseña
field-new-password-repeat = Repite la nueva contraseña
hint-username = De 3 a 32 caracteres: letras a–z, cifras, _ . y - (las mayúsculas pasan a minúsculas)
hint-password = De 8 a 128 caracteres. Evita las contraseñas habituales y tu nombre de usuario o correo.
form-fix-fields = Corrige los campos marcados abajo.

login-title = Iniciar sesión
login-submit = Entrar
login-resend-link = Enviar el enlace de nuevo
login-forgot = ¿Has olvidado tu contraseña?
login-new-here = ¿Eres nuevo?
login-create-account = Crea una cuenta
login-wrong = El nombre de usuario, el correo o la contraseña no son correctos.

signup-title = Crear cuenta
signup-heading = Crea tu cuenta
signup-submit = Crear cuenta
signup-have-account = ¿Ya tienes cuenta?
signup-log-in = Inicia sesión

forgot-title = Contraseña olvidada
forgot-heading = ¿Has olvidado tu contraseña?
forgot-sent = Si existe una cuenta con esos datos, le estamos enviando a su correo un enlace para elegir una contraseña nueva. El enlace sirve una sola vez, durante 30 minutos.
forgot-submit = Envíame un enlace
forgot-back = Volver al inicio de sesión

reset-title = Elige una contraseña nueva
reset-new-link = Pide un enlace nuevo
reset-submit = Guardar la contraseña nueva

verify-title = Verificación del correo
verify-link-unusable = Este enlace no se puede usar.
verify-new-link-from = Puedes enviarte un enlace nuevo desde
verify-your-account = tu cuenta
verify-log-in = Inicia sesión
verify-to-send = para enviarte un enlace nuevo.

flash-welcome-confirm = ¡Hola, { $name }! Confirma tu dirección con el enlace que te hemos enviado a { $email } y después inicia sesión.
flash-welcome = ¡Hola, { $name }! Tu cuenta está lista.
flash-logged-in = Has iniciado sesión.
flash-logged-out = Has cerrado sesión.
flash-password-reset = Tu contraseña se ha cambiado. Inicia sesión con ella.
flash-email-verified = Gracias: { $email } está verificado.
flash-link-sent = Te hemos enviado un enlace nuevo a { $email }.
flash-link-maybe-sent = Si tu dirección aún necesita confirmación, te estamos enviando un enlace nuevo.
