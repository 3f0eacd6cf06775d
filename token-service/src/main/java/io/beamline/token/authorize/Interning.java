package io.beamline.token.authorize;

import java.util.Map;

/** Bounds the caches that let tokens with identical rules share one compiled form. */
final class Interning {

  /**
   * Beyond this many distinct entries a cache starts over, so odd inputs cannot grow it forever.
   */
  static final int MAX_ENTRIES = 100_000;

  private Interning() {}

  static <K, V> void put(Map<K, V> cache, K key, V value) {
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(key, value);
  }
}
