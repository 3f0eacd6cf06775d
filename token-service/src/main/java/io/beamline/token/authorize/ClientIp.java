package io.beamline.token.authorize;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A single IPv4 or IPv6 address (null passes: combine with {@code @NotBlank}). */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ClientIp.Validator.class)
public @interface ClientIp {

  String message() default "must be a single IPv4 or IPv6 address";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Checks with the same parser the decision uses. */
  class Validator implements ConstraintValidator<ClientIp, String> {
    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
      return value == null || value.isBlank() || ClientAddress.parse(value) != null;
    }
  }
}
