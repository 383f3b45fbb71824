/// Immutable blocks in the Prometheus TSDB layout.
public enum TundraBlockModule {}
