package io.beamline.token.rest;

import io.beamline.token.service.IssuedKey;

/**
 * A key just issued: its description and the key, shown this once only.
 *
 * @param apiKey the stored description
 * @param key the bearer token to send as {@code Authorization: Bearer <key>}
 */
public record IssuedApiKey(ApiKeyView apiKey, String key) {

  static IssuedApiKey of(IssuedKey issued) {
    return new IssuedApiKey(ApiKeyView.of(issued.record()), issued.key());
  }
}
