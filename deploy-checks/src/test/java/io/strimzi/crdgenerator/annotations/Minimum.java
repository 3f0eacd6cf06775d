package io.strimzi.crdgenerator.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares Strimzi's own {@code @Minimum} (see {@link PresentInVersions} for why) so that the
 * strict checks can read the bound its CRD schema enforces.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface Minimum {
  /** The bound. */
  int value();
}
