# The shop: catalog, product page, basket, one's purchases, their flash
# messages and the errors the basket and the purchase report. Ids of errors
# the API reports keep the code `invalid` there (see `Msg::reported_as_invalid`).

## The catalog and a product's page.
shop-products-title = Products
shop-products-title-page = Products (page { $page })
shop-search-label = Search the products
shop-search-hint = Finds products whose name or article number contains what you type, anywhere in it; capitals and accents do not matter.
shop-search-submit = Search
shop-show-all = Show all products
shop-products-count = { $count ->
    [one] { $count } product.
   *[other] { $count } products.
}
shop-products-count-matching = { $count ->
    [one] { $count } product matching “{ $query }”.
   *[other] { $count } products matching “{ $query }”.
}
shop-products-matching = Products matching “{ $query }”
shop-add-intro-before = Enter how many of each product you want and add them to your
shop-add-intro-basket = basket
shop-add-intro-after = ; it keeps them while you look at other pages.
shop-log-in = Log in
shop-or = or
shop-sign-up = sign up
shop-to-buy = to buy.
shop-to-buy-this = to buy this product.
shop-product = Product
shop-price = Price
shop-in-stock = In stock
shop-quantity = Quantity
shop-quantity-of = Quantity of { $name }
shop-sold-out = sold out
shop-add-to-basket = Add to basket
shop-go-to-basket = Go to your basket
shop-no-match = No product matches your search.
shop-no-products = There are no products yet.
shop-product-pages = Product pages
shop-all-products = ← All products
shop-inactive = inactive
shop-article-number = Article number
shop-no-longer-sold = This product is no longer sold.
shop-product-sold-out = This product is sold out.
shop-edit-product = Edit this product
shop-total = Total

## The basket.
cart-title = Your basket
cart-nothing-bought = Nothing was bought
cart-correct-lines = Your basket is as you left it. Please correct the lines marked below:
cart-count = { $count ->
    [one] { $count } product in your basket.
   *[other] { $count } products in your basket.
}
cart-subtotal = Subtotal
cart-actions = Actions
cart-remove = Remove
cart-zero-hint = Set a quantity to 0 to take the product out.
cart-update = Update quantities
cart-checkout = Check out and pay { $total }
cart-empty = Your basket is empty.
cart-browse = Browse the products
cart-quantity-missing = Enter how many you want.
cart-whole-number = Enter a whole number, such as 2.
cart-quantity-range = A quantity is a whole number from 1 to { $max }.
cart-not-for-sale = This product is not for sale.
cart-too-many-products = A basket holds at most { $max } different products.
cart-line-no-longer-sold = “{ $name }” is no longer sold.
cart-line-sold-out = “{ $name }” is sold out.
cart-line-too-few = Only { $stock } of “{ $name }” left: lower the quantity.

## One's purchases.
sales-title = Your purchases
sales-title-page = Your purchases (page { $page })
sales-filter-label = Filter your purchases
sales-filters-unusable = These filters cannot be used; correct the ones marked below.
sales-filter-legend = Filter and sort
sales-from = From (UTC day)
sales-to = To (UTC day, inclusive)
sales-sort = Sort by
sales-sort-newest = Newest first
sales-sort-oldest = Oldest first
sales-sort-total-desc = Largest total first
sales-sort-total = Smallest total first
sales-order-newest = newest first
sales-order-oldest = oldest first
sales-order-total-desc = largest total first
sales-order-total = smallest total first
sales-show = Show
sales-clear = Clear
sales-count = { $count ->
    [one] { $count } purchase, { $order }.
   *[other] { $count } purchases, { $order }.
}
sales-count-paged = { $count ->
    [one] { $count } purchase, { $order }; page { $page } of { $pages }.
   *[other] { $count } purchases, { $order }; page { $page } of { $pages }.
}
sales-caption = Your purchases, { $order }
sales-purchase = Purchase
sales-date = Date
sales-items = Items
sales-no-match = No purchase matches.
sales-none = You have not bought anything yet.
sales-pages = Purchase pages
sale-title = Purchase #{ $id }
sale-back-own = ← Your purchases
sale-back-all = ← All sales
sale-customer = Customer
sale-items-caption = Items of purchase #{ $id }
sale-unit-price = Unit price
sale-amount = Amount
sale-prices-then = Prices are those at the time of purchase.
sale-no-items = Choose at least one product.
sale-too-many-lines = An order has at most { $max } lines.
sale-unknown-product = Unknown product.
sale-product-not-for-sale = Product { $id } does not exist or is not for sale.
sale-out-of-stock = Not enough stock of "{ $name }": { $stock } left.

## Flash messages.
flash-quantities-whole = Quantities are whole numbers.
flash-paid = Thank you! You paid { $amount }.
flash-basket-added = Added to your basket: { $names }.
flash-basket-updated = Your basket is up to date.
flash-basket-removed = Taken out of your basket.
flash-order-sent-twice = This order was sent twice; you paid once. Here it is.

## List filters (one's purchases and the admin lists).
filter-not-a-date = Not a date: use the calendar, or type it as 2026-11-27.
filter-end-before-start = The end comes before the start.
filter-order-unknown = Choose one of the orders offered.
filter-user-unknown = No user has this name.
filter-q-too-long = Search for at most { $max } characters.
filter-role-unknown = Choose any role, users or administrators.
filter-active-unknown = Choose active, inactive or either.
filter-verified-unknown = Choose verified, not verified or either.
filter-action-unknown = Choose one of the actions offered.

## Page links.
pagination-previous = ‹ Previous
pagination-next = Next ›
pagination-page-word = page
pagination-page = Page
pagination-page-of = Page { $page } of { $pages }
