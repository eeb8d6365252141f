//! Products and sales, as pages show them.

use serde::Serialize;

use super::Formats;
use crate::views::{ProductView, SaleView};

/// A catalog product with its price written out.
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub price_cents: i64,
    pub stock: i64,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Product {
    pub fn new(product: &crate::db::products::Product, formats: &Formats) -> Self {
        let view = ProductView::from(product.clone());
        Product {
            id: view.id,
            sku: view.sku,
            name: view.name,
            description: view.description,
            price: formats.money(view.price_cents),
            price_cents: view.price_cents,
            stock: view.stock,
            is_active: view.is_active,
            created_at: formats.datetime(view.created_at),
            updated_at: formats.datetime(view.updated_at),
        }
    }
}

/// A sale with its buyer's name and its amounts written out.
#[derive(Debug, Clone, Serialize)]
pub struct Sale {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub total: String,
    pub created_at: String,
    pub items: Vec<SaleItem>,
}

/// One line of a sale, at the price paid.
#[derive(Debug, Clone, Serialize)]
pub struct SaleItem {
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub unit_price: String,
    pub line_total: String,
}

impl Sale {
    pub fn new(sale: &crate::db::sales::Sale, formats: &Formats) -> Self {
        let view = SaleView::from(sale.clone());
        Sale {
            id: view.id,
            user_id: view.user_id,
            username: sale.row.username.clone(),
            total: formats.money(view.total_cents),
            created_at: formats.datetime(view.created_at),
            items: view
                .items
                .into_iter()
                .map(|item| SaleItem {
                    unit_price: formats.money(item.unit_price_cents),
                    line_total: formats.money(item.unit_price_cents * item.quantity),
                    product_id: item.product_id,
                    name: item.name,
                    quantity: item.quantity,
                })
                .collect(),
        }
    }
}
