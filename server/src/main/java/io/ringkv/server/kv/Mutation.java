package io.ringkv.server.kv;

/** What a write does to its key. */
public sealed interface Mutation {

  /** Stores {@code value} with {@code expiry}. */
  record Put(byte[] value, Expiry expiry) implements Mutation {
    public Put {
      if (value == null || expiry == null) {
        throw new IllegalArgumentException("value and expiry must not be null");
      }
    }
  }

  /** Deletes the key (a tombstone). */
  record Delete() implements Mutation {}

  /** Changes only the expiry of a present value (Redis EXPIRE, PERSIST, GETEX). */
  record Touch(Expiry expiry) implements Mutation {
    public Touch {
      if (expiry == null) {
        throw new IllegalArgumentException("expiry must not be null");
      }
    }
  }

  static Put put(byte[] value) {
    return new Put(value, Expiry.none());
  }

  static Delete delete() {
    return new Delete();
  }
}
