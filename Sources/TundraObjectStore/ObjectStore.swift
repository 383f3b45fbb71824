/// Object storage: a bucket of immutable objects, on a local folder or S3.
public enum TundraObjectStoreModule {}
