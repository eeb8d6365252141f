# Errores de los campos. Cada id es también el `code` estable que la API
# indica junto al campo: no se renombran.

required = Este campo es obligatorio.
too-short = Usa al menos { $min } caracteres.
too-long = Usa como máximo { $max } caracteres.
control-characters = Quita los caracteres de control.
username-required = Elige un nombre de usuario.
username-length = Un nombre de usuario tiene de { $min } a { $max } caracteres.
username-characters = Usa solo letras a-z, cifras, «_», «.» y «-».
username-taken = Ese nombre de usuario ya está ocupado.
email-required = Escribe una dirección de correo electrónico.
email-too-long = Una dirección de correo tiene como máximo { $max } caracteres.
email-invalid = Escribe una dirección de correo como nombre@ejemplo.com.
email-mixed-scripts = Una dirección de correo no puede mezclar alfabetos en una misma parte (por ejemplo, letras latinas y cirílicas).
email-look-alike = Esta dirección de correo imita una en alfabeto latino; escríbela con las letras que muestra.
email-taken = Esa dirección de correo ya está registrada.
password-common = Esa contraseña es demasiado habitual; elige otra.
password-is-username = La contraseña debe ser distinta del nombre de usuario.
password-is-email = La contraseña debe ser distinta de la dirección de correo.
passwords-differ = Las dos contraseñas no coinciden.
password-unchanged = Elige una contraseña distinta de la actual.
current-password-wrong = La contraseña actual no es correcta.
phone-invalid = Escribe un número de teléfono con cifras, espacios y + - ( ).
sku-length = Un SKU tiene de 1 a { $max } caracteres.
sku-characters = Usa solo letras, cifras, «-», «_» y «.».
product-name-length = El nombre de un producto tiene de 1 a { $max } caracteres.
price-range = Un precio va de 0 a { $max } céntimos.
stock-range = Las existencias van de 0 a { $max } unidades.
quantity-range = Una cantidad va de 1 a { $max }.
link-invalid = Este enlace no es válido: puede que haya caducado o que ya se haya usado.

# Problemas de la API (`title` y `detail` de problem+json).
status-400 = Solicitud incorrecta
status-401 = No autenticado
status-403 = Prohibido
status-404 = No encontrado
status-405 = Método no permitido
status-409 = Conflicto
status-413 = Contenido demasiado grande
status-415 = Tipo de contenido no admitido
status-422 = Entidad no procesable
status-429 = Demasiadas solicitudes
status-500 = Error interno del servidor
status-503 = Servicio no disponible
problem-400 = No se ha podido interpretar la solicitud.
problem-401 = Inicia sesión antes: hace falta una cookie de sesión o un token bearer válidos.
problem-403 = No tienes permiso para hacer esto.
problem-404 = No hay nada en esta dirección.
problem-405 = Este método no está permitido aquí.
problem-409 = Conflicto.
problem-413 = El cuerpo de la solicitud supera el límite.
problem-415 = Envía el cuerpo como application/json.
problem-422 = El cuerpo de la solicitud no es un JSON válido para este punto de acceso (revisa los nombres y tipos de los campos).
problem-429 = Demasiados intentos; espera y vuelve a intentarlo.
problem-500 = El servidor no ha podido completar la solicitud.
problem-503 = El servicio no está disponible por ahora; vuelve a intentarlo pasados los segundos de Retry-After.
problem-invalid = Algunos campos no son válidos.
problem-bad-credentials = El usuario o la contraseña no son correctos.
problem-bad-token = El token bearer no es válido: desconocido, caducado o revocado.
problem-method = { $method } no está permitido aquí; usa { $allowed }.

# La página de error.
error-title = { $status ->
    [400] Solicitud incorrecta
    [403] Acceso denegado
    [404] Página no encontrada
    [405] Método no permitido
    [413] Contenido demasiado grande
    [422] Datos no procesables
    [429] Demasiadas solicitudes
    [503] Servicio no disponible
   *[other] Error interno del servidor
}
error-400 = No se ha podido entender la solicitud.
error-403 = No tienes acceso a esta página.
error-404 = No hay ninguna página en esta dirección.
error-405 = Esta acción no está disponible aquí.
error-413 = Lo que has enviado es demasiado grande.
error-422 = No se ha podido leer parte de lo que has enviado. Vuelve atrás y revisa el formulario.
error-429 = Demasiados intentos. Espera un poco y vuelve a intentarlo.
error-503 = El servicio no está disponible por ahora. Vuelve a intentarlo en breve.
error-500 = Algo ha fallado por nuestra parte. Vuelve a intentarlo más tarde.
error-ask-admin = Si crees que deberías tener acceso, pídeselo a un administrador.
error-check-address = Revisa la dirección o vuelve a empezar desde la portada.
error-home = Ir a la portada
error-browse = Explorar los productos
