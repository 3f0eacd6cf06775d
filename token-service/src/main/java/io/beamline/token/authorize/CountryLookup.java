package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;

/** Finds the country of a client address. */
public interface CountryLookup {

  /** Whether a database is loaded; without one no country can be known. */
  boolean available();

  /** The ISO-3166 alpha-2 code, or null when the address is in no country (e.g. private). */
  String country(IPAddress address);
}
