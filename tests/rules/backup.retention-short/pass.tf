resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "cache"
  description                = "app cache"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  snapshot_retention_limit   = 7
}
