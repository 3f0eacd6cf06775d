package io.strimzi.crdgenerator.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares Strimzi's own annotation, which its API classes carry at run time, so that reflection
 * can read it: the io.strimzi:crd-annotations jar is not in the registry here. Its value lists the
 * API versions a property exists in, e.g. {@code v1beta2} for a field that {@code v1} removed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.TYPE})
public @interface PresentInVersions {
  /** Version ranges, e.g. {@code v1beta2}, {@code v1beta2+}, {@code v1alpha1-v1beta2}. */
  String value();
}
