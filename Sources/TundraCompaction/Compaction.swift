/// The compactor's logic: planning, merging, downsampling, retention and the bucket lock.
public enum TundraCompactionModule {}
