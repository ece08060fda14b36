# shopfront cache: ElastiCache for Redis OSS, one primary and one replica in two
# AZs with automatic failover, TLS required, RBAC users whose passwords are
# generated here and kept in Secrets Manager, daily snapshots kept 7 days,
# slow log to CloudWatch.

resource "aws_elasticache_parameter_group" "cache" {
  name        = "shopfront-cache-redis7"
  family      = "redis7"
  description = "shopfront cache: LRU eviction over all keys"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }
}

resource "aws_elasticache_subnet_group" "cache" {
  name       = "shopfront-cache"
  subnet_ids = var.private_subnet_ids
}

resource "aws_security_group" "cache" {
  name        = "shopfront-cache"
  description = "Redis from the shopfront web tasks only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "Redis TLS from shopfront-web"
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [var.web_security_group_id]
  }
}

resource "random_password" "default_user" {
  length  = 40
  special = false
}

resource "random_password" "shopfront_user" {
  length  = 40
  special = false
}

resource "aws_secretsmanager_secret" "shopfront_redis" {
  name       = "shopfront/redis/shopfront-user"
  kms_key_id = var.kms_key_arn
}

resource "aws_secretsmanager_secret_version" "shopfront_redis" {
  secret_id     = aws_secretsmanager_secret.shopfront_redis.id
  secret_string = random_password.shopfront_user.result
}

# ElastiCache needs a user named "default" in every group: switched off.
resource "aws_elasticache_user" "default" {
  user_id       = "shopfront-default"
  user_name     = "default"
  engine        = "redis"
  access_string = "off -@all"

  authentication_mode {
    type      = "password"
    passwords = [random_password.default_user.result]
  }
}

resource "aws_elasticache_user" "shopfront" {
  user_id       = "shopfront-web"
  user_name     = "shopfront"
  engine        = "redis"
  access_string = "on ~* &* +@all -@dangerous"

  authentication_mode {
    type      = "password"
    passwords = [random_password.shopfront_user.result]
  }
}

resource "aws_elasticache_user_group" "cache" {
  engine        = "redis"
  user_group_id = "shopfront-cache"
  user_ids = [
    aws_elasticache_user.default.user_id,
    aws_elasticache_user.shopfront.user_id,
  ]
}

resource "aws_cloudwatch_log_group" "cache_slow_log" {
  name              = "/elasticache/shopfront-cache/slow-log"
  retention_in_days = 30
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "shopfront-cache"
  description          = "shopfront page and session cache"

  engine               = "redis"
  engine_version       = "7.1"
  node_type            = "cache.r7g.large"
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.cache.name

  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true

  subnet_group_name  = aws_elasticache_subnet_group.cache.name
  security_group_ids = [aws_security_group.cache.id]

  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  user_group_ids             = [aws_elasticache_user_group.cache.user_group_id]

  snapshot_retention_limit = 7
  snapshot_window          = "02:00-03:00"
  maintenance_window       = "sun:04:00-sun:05:00"
  auto_minor_version_upgrade = true
  notification_topic_arn   = var.alerts_topic_arn

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache_slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

resource "aws_cloudwatch_metric_alarm" "cache_memory" {
  alarm_name          = "shopfront-cache-memory"
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { ReplicationGroupId = aws_elasticache_replication_group.cache.id }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.alerts_topic_arn]
}
