# La cuenta propia: perfil, contraseña, sesiones, datos y baja; la portada.

home-title = Bienvenida
home-heading = Te damos la bienvenida a Portero
home-intro = Portero guarda tu cuenta, tu perfil y tus compras en un solo lugar. Explora el catálogo, compra lo que necesites y vuelve a encontrar cada compra cuando quieras. Tu sesión se guarda en el servidor: cerrar sesión o cambiar la contraseña surte efecto al instante, en todos tus dispositivos.
home-hello = ¡Hola, { $name }!
home-signed-in-as = Has iniciado sesión como { $name }.
home-browse = Explorar los productos
home-purchases = Ver tus compras
home-profile = Editar tu perfil o cambiar tu contraseña
home-sessions = Revisar dónde tienes la sesión iniciada
home-admin = Abrir el panel de administración
home-not-signed-in = No has iniciado sesión.
home-create-account = Crear una cuenta
home-log-in = Iniciar sesión
home-just-browse = O simplemente explora los productos
home-developers = Para desarrolladores
home-api-before = Todo lo que puedes hacer aquí está también disponible como API JSON en
home-api-described = descrita en la
home-api-docs = documentación interactiva de la API
home-api-and = y en la
home-api-reference = referencia de la API

account-title = Tu cuenta
account-about = Sobre esta cuenta
account-role = Rol
role-admin = Administrador
role-user = Usuario
account-verified = (verificado el { $date })
account-not-verified = (sin verificar)
account-resend-verification = Enviar de nuevo el enlace de verificación
account-member-since = Miembro desde
account-last-login = Último inicio de sesión
account-never = nunca
account-see-sessions = Ver dónde tienes la sesión iniciada
account-tokens = Tokens de acceso personal
account-purchases = Tus compras
account-profile = Perfil
account-profile-not-saved = No se ha guardado tu perfil. Corrige los campos marcados abajo.
field-address-optional = Dirección (opcional)
field-phone-optional = Teléfono (opcional)
account-save-profile = Guardar el perfil
account-change-password = Cambiar la contraseña
account-password-logs-out = Al cambiar la contraseña se cierran todas tus demás sesiones.
account-password-not-changed = No se ha cambiado tu contraseña. Corrige los campos marcados abajo.
field-current-password = Contraseña actual
account-your-data = Tus datos
account-download-data = Descargar tus datos
account-delete = Eliminar tu cuenta

sessions-title = Tus sesiones
sessions-heading = Dónde tienes la sesión iniciada
sessions-intro = Cada fila es un navegador o programa con sesión iniciada en tu cuenta. Si no reconoces alguno, cierra su sesión y
sessions-change-password = cambia tu contraseña
sessions-caption = Tus sesiones activas ({ $count })
sessions-logged-in = Inicio
sessions-last-seen = Última actividad
sessions-ip = Dirección IP
sessions-browser = Navegador
sessions-actions = Acciones
sessions-this-one = Esta sesión
sessions-unknown = desconocido
sessions-log-out = Cerrar sesión
sessions-log-out-this = Cerrar sesión (esta sesión)
sessions-started = la sesión iniciada el { $date }
sessions-count = { $count ->
    [one] { $count } sesión activa.
   *[other] { $count } sesiones activas.
}
sessions-none = No hay sesiones activas.
sessions-log-out-others = Cerrar todas las demás sesiones

data-title = Tus datos
data-intro = Descarga una copia de todo lo que Portero guarda sobre tu cuenta, en un archivo JSON:
data-profile = tu perfil,
data-sessions = tus sesiones activas (dónde y cuándo iniciaste sesión),
data-tokens = tus tokens de acceso personal (sus nombres y fechas; nunca los tokens),
data-purchases = tus compras,
data-audit = las entradas del registro de seguridad sobre tu cuenta.
data-download = Descargar mis datos
data-api = Los programas pueden obtener lo mismo con
data-leaving = Darse de baja
data-delete = Eliminar mi cuenta

delete-title = Eliminar tu cuenta
delete-not-deleted = No se ha eliminado tu cuenta
delete-warning = Esto elimina a la vez tu cuenta, tus compras y tu cesta, y cierra tu sesión en todas partes. No se puede deshacer.
delete-download-before = Quizá quieras
delete-download-link = descargar tus datos
delete-download-after = antes.
delete-password = Tu contraseña, para confirmar
delete-submit = Eliminar mi cuenta definitivamente
delete-keep = Conservar mi cuenta

flash-profile-saved = Se ha guardado tu perfil.
flash-password-changed = Se ha cambiado tu contraseña. Se han cerrado tus demás sesiones.
flash-session-revoked = Se ha cerrado la sesión.
flash-sessions-revoked = { $count ->
    [one] Se ha cerrado { $count } sesión más.
   *[other] Se han cerrado { $count } sesiones más.
}
flash-account-deleted = Se han eliminado tu cuenta y tus compras. ¡Hasta pronto!
