resource "google_redis_instance" "cache" {
  name           = "cache"
  tier           = "STANDARD_HA"
  memory_size_gb = 1
  redis_version  = "REDIS_7_2"
  auth_enabled   = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"
}