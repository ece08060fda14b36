resource "aws_security_group" "redis" {
  name   = "shopfront-redis"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 6379
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "shopfront-redis"
  description          = "shopfront cache"

  engine               = "redis"
  engine_version       = "5.0.6"
  node_type            = "cache.t3.medium"
  num_cache_clusters   = 1
  port                 = 6379
  parameter_group_name = "default.redis5.0"

  subnet_group_name  = "default"
  security_group_ids = [aws_security_group.redis.id]

  snapshot_retention_limit = 0
  apply_immediately        = true
}

variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f67890"
}
