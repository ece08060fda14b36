resource "azurerm_redis_cache" "cache" {
  name                          = "app-cache"
  location                      = "westeurope"
  resource_group_name           = "app"
  capacity                      = 1
  family                        = "C"
  sku_name                      = "Standard"
  public_network_access_enabled = true
}
