package io.beamline.token.service;

import io.beamline.token.ApiKey;

/**
 * An API key just issued: its stored record and the signed key, which is shown once and never
 * stored.
 */
public record IssuedKey(ApiKey record, String key) {}
