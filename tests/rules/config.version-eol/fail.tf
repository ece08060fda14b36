resource "google_redis_instance" "cache" {
  name               = "cache"
  tier               = "STANDARD_HA"
  memory_size_gb     = 1
  redis_version      = "REDIS_6_X"
  authorized_network = "projects/p/global/networks/default"
}
