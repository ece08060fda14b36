variable "vpc_id" {
  description = "VPC of the shopfront stack"
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (no route to an internet gateway), one per AZ"
  type        = list(string)
}

variable "web_security_group_id" {
  description = "Security group of the shopfront web tasks"
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the cache and its secret"
  type        = string
}

variable "alerts_topic_arn" {
  description = "SNS topic paged by the on-call rotation"
  type        = string
}
