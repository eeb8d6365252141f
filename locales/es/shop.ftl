# La tienda: catálogo, página de producto, cesta, tus compras, sus avisos
# y los errores de la cesta y de la compra. Los errores que informa la API
# conservan allí el código `invalid` (ver `Msg::reported_as_invalid`).

## El catálogo y la página de un producto.
shop-products-title = Productos
shop-products-title-page = Productos (página { $page })
shop-search-label = Buscar en los productos
shop-search-hint = Encuentra los productos cuyo nombre o número de artículo contiene lo que escribes, en cualquier posición; mayúsculas y tildes dan igual.
shop-search-submit = Buscar
shop-show-all = Ver todos los productos
shop-products-count = { $count ->
    [one] { $count } producto.
   *[other] { $count } productos.
}
shop-products-count-matching = { $count ->
    [one] { $count } producto coincide con «{ $query }».
   *[other] { $count } productos coinciden con «{ $query }».
}
shop-products-matching = Productos que coinciden con «{ $query }»
shop-add-intro-before = Indica cuántas unidades quieres de cada producto y añádelas a tu
shop-add-intro-basket = cesta
shop-add-intro-after = ; las guarda mientras miras otras páginas.
shop-log-in = Inicia sesión
shop-or = o
shop-sign-up = regístrate
shop-to-buy = para comprar.
shop-to-buy-this = para comprar este producto.
shop-product = Producto
shop-price = Precio
shop-in-stock = Disponibles
shop-quantity = Cantidad
shop-quantity-of = Cantidad de { $name }
shop-sold-out = agotado
shop-add-to-basket = Añadir a la cesta
shop-go-to-basket = Ir a tu cesta
shop-no-match = Ningún producto coincide con tu búsqueda.
shop-no-products = Todavía no hay productos.
shop-product-pages = Páginas de productos
shop-all-products = ← Todos los productos
shop-inactive = inactivo
shop-article-number = Número de artículo
shop-no-longer-sold = Este producto ya no se vende.
shop-product-sold-out = Este producto está agotado.
shop-edit-product = Editar este producto
shop-total = Total

## La cesta.
cart-title = Tu cesta
cart-nothing-bought = No se ha comprado nada
cart-correct-lines = Tu cesta está como la dejaste. Corrige las líneas marcadas abajo:
cart-count = { $count ->
    [one] { $count } producto en tu cesta.
   *[other] { $count } productos en tu cesta.
}
cart-subtotal = Subtotal
cart-actions = Acciones
cart-remove = Quitar
cart-zero-hint = Pon una cantidad a 0 para quitar el producto.
cart-update = Actualizar cantidades
cart-checkout = Pagar { $total } y finalizar la compra
cart-empty = Tu cesta está vacía.
cart-browse = Explorar los productos
cart-quantity-missing = Indica cuántas unidades quieres.
cart-whole-number = Escribe un número entero, como 2.
cart-quantity-range = Una cantidad es un número entero de 1 a { $max }.
cart-not-for-sale = Este producto no está a la venta.
cart-too-many-products = Una cesta admite como máximo { $max } productos distintos.
cart-line-no-longer-sold = «{ $name }» ya no se vende.
cart-line-sold-out = «{ $name }» está agotado.
cart-line-too-few = { $stock ->
    [one] Solo queda { $stock } de «{ $name }»: baja la cantidad.
   *[other] Solo quedan { $stock } de «{ $name }»: baja la cantidad.
}

## Tus compras.
sales-title = Tus compras
sales-title-page = Tus compras (página { $page })
sales-filter-label = Filtrar tus compras
sales-filters-unusable = Estos filtros no se pueden usar; corrige los marcados abajo.
sales-filter-legend = Filtrar y ordenar
sales-from = Desde (día UTC)
sales-to = Hasta (día UTC, incluido)
sales-sort = Ordenar por
sales-sort-newest = Las más recientes primero
sales-sort-oldest = Las más antiguas primero
sales-sort-total-desc = Mayor importe primero
sales-sort-total = Menor importe primero
sales-order-newest = las más recientes primero
sales-order-oldest = las más antiguas primero
sales-order-total-desc = mayor importe primero
sales-order-total = menor importe primero
sales-show = Mostrar
sales-clear = Borrar filtros
sales-count = { $count ->
    [one] { $count } compra, { $order }.
   *[other] { $count } compras, { $order }.
}
sales-count-paged = { $count ->
    [one] { $count } compra, { $order }; página { $page } de { $pages }.
   *[other] { $count } compras, { $order }; página { $page } de { $pages }.
}
sales-caption = Tus compras, { $order }
sales-purchase = Compra
sales-date = Fecha
sales-items = Artículos
sales-no-match = Ninguna compra coincide.
sales-none = Todavía no has comprado nada.
sales-pages = Páginas de compras
sale-title = Compra n.º { $id }
sale-back-own = ← Tus compras
sale-back-all = ← Todas las ventas
sale-customer = Cliente
sale-items-caption = Artículos de la compra n.º { $id }
sale-unit-price = Precio unitario
sale-amount = Importe
sale-prices-then = Los precios son los del momento de la compra.
sale-no-items = Elige al menos un producto.
sale-too-many-lines = Un pedido tiene como máximo { $max } líneas.
sale-unknown-product = Producto desconocido.
sale-product-not-for-sale = El producto { $id } no existe o no está a la venta.
sale-out-of-stock = { $stock ->
    [one] No hay existencias suficientes de «{ $name }»: queda { $stock }.
   *[other] No hay existencias suficientes de «{ $name }»: quedan { $stock }.
}

## Avisos.
flash-quantities-whole = Las cantidades son números enteros.
flash-paid = ¡Gracias! Has pagado { $amount }.
flash-basket-added = Añadido a tu cesta: { $names }.
flash-basket-updated = Tu cesta está al día.
flash-basket-removed = Quitado de tu cesta.
flash-order-sent-twice = Este pedido se envió dos veces; has pagado una sola vez. Aquí lo tienes.

## Filtros de las listas (tus compras y las listas de administración).
filter-not-a-date = No es una fecha: usa el calendario o escríbela como 2026-11-27.
filter-end-before-start = El final es anterior al comienzo.
filter-order-unknown = Elige uno de los órdenes ofrecidos.
filter-user-unknown = Ningún usuario tiene este nombre.
filter-q-too-long = Busca como máximo { $max } caracteres.
filter-role-unknown = Elige cualquier rol, usuarios o administradores.
filter-active-unknown = Elige activos, inactivos o ambos.
filter-verified-unknown = Elige verificados, sin verificar o ambos.
filter-action-unknown = Elige una de las acciones ofrecidas.

## Enlaces de página.
pagination-previous = ‹ Anterior
pagination-next = Siguiente ›
pagination-page-word = {""}
pagination-page = Página
pagination-page-of = Página { $page } de { $pages }
