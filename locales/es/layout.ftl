# La plantilla común a todas las páginas: navegación, selector de idioma, pie.
# Tuteo en todo el sitio (ver README, notas de traducción).

skip-to-content = Saltar al contenido
nav-main = Principal
nav-products = Productos
nav-basket = Cesta
nav-purchases = Mis compras
nav-account = Cuenta
nav-sessions = Sesiones
nav-admin = Administración
nav-log-in = Iniciar sesión
nav-sign-up = Crear cuenta
nav-your-account = Tu cuenta
nav-signed-in-as = Sesión iniciada como { $name }
nav-log-out = Cerrar sesión
switcher-label = Idioma
footer-api-docs = Documentación de la API
footer-api-reference = Referencia de la API (ReDoc)
throttled-minutes = { $minutes ->
    [one] Demasiados intentos fallidos. Vuelve a intentarlo dentro de { $minutes } minuto.
   *[other] Demasiados intentos fallidos. Vuelve a intentarlo dentro de { $minutes } minutos.
}
