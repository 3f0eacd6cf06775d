package io.beamline.token.authorize;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Publish and subscribe tokens by id, in an array indexed by the id: both kinds take their ids from
 * one dense database sequence, so a token among millions is one memory access away, where a hash
 * map keyed by a (kind, id) object takes three (bucket, node, key) — the cache misses that made a
 * million stored tokens slower to decide on than a hundred.
 *
 * <p>Reads are lock-free; writes must be serialised by the caller. Ids beyond {@link #MAX_SLOTS}
 * (not reached by a sequence in practice) live in a hash map instead.
 */
final class TokenSlots {

  /** 64 Mi slots, 256 MiB of references at most. */
  static final long MAX_SLOTS = 1L << 26;

  private volatile AtomicReferenceArray<TokenRules> slots = new AtomicReferenceArray<>(1024);
  private final Map<Long, TokenRules> beyond = new ConcurrentHashMap<>();
  private int size;

  /** The token with this id, of either kind, or null. */
  TokenRules get(long id) {
    if (id < 0 || id >= MAX_SLOTS) {
      return beyond.get(id);
    }
    AtomicReferenceArray<TokenRules> current = slots;
    return id < current.length() ? current.get((int) id) : null;
  }

  /** Stores {@code rules} under its id; the caller holds the writers' lock. Returns the old one. */
  TokenRules put(TokenRules rules) {
    long id = rules.ref().id();
    TokenRules old;
    if (id < 0 || id >= MAX_SLOTS) {
      old = beyond.put(id, rules);
    } else {
      AtomicReferenceArray<TokenRules> current = grownFor((int) id);
      old = current.getAndSet((int) id, rules);
    }
    if (old == null) {
      size++;
    }
    return old;
  }

  /** Removes the token with this id; the caller holds the writers' lock. Returns the old one. */
  TokenRules remove(long id) {
    TokenRules old;
    if (id < 0 || id >= MAX_SLOTS) {
      old = beyond.remove(id);
    } else {
      AtomicReferenceArray<TokenRules> current = slots;
      old = id < current.length() ? current.getAndSet((int) id, null) : null;
    }
    if (old != null) {
      size--;
    }
    return old;
  }

  int size() {
    return size;
  }

  /** The array, grown (copied, then published) so that it holds slot {@code id}. */
  private AtomicReferenceArray<TokenRules> grownFor(int id) {
    AtomicReferenceArray<TokenRules> current = slots;
    if (id < current.length()) {
      return current;
    }
    int length = current.length();
    while (length <= id) {
      length = (int) Math.min(MAX_SLOTS, (long) length * 2);
    }
    AtomicReferenceArray<TokenRules> grown = new AtomicReferenceArray<>(length);
    for (int i = 0; i < current.length(); i++) {
      grown.set(i, current.get(i));
    }
    slots = grown;
    return grown;
  }
}
