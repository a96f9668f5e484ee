package org.ocfcloudbridge.config;

import org.eclipse.microprofile.config.spi.Converter;

import java.util.regex.Pattern;

/**
 * Converters that check a {@code bridge.*} value while SmallRye reads it, in place of Bean Validation on the
 * {@code @ConfigMapping}s: Hibernate Validator's set-up for the config mappings was 17.6% of start-up's CPU samples
 * (JFR, 2026-12-04, issue 13), for a dozen range checks. SmallRye reports a converter's failure with the key and the
 * value; {@link StartupFailure} turns a message that starts with "must" into "{@code <key> must …}".
 */
public final class Checked {

    private Checked() {
    }

    /** A whole number in [min, max]; {@code message} says the range in words. */
    abstract static class IntRange implements Converter<Integer> {
        private final int min;
        private final int max;
        private final String message;

        IntRange(int min, int max, String message) {
            this.min = min;
            this.max = max;
            this.message = message;
        }

        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, got \"" + value + "\"");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(message);
            }
            return n;
        }
    }

    public static final class Port extends IntRange {
        public Port() {
            super(0, 65535, "must be a TCP port between 0 and 65535");
        }
    }

    /** RFC 8323's base value is the least a CoAP peer must accept; 8 MiB bounds what one frame may hold in memory. */
    public static final class CoapMessageSize extends IntRange {
        public CoapMessageSize() {
            super(1152, 8388608, "must be at least 1152 (RFC 8323 base value) and at most 8388608");
        }
    }

    public static final class HashIterations extends IntRange {
        public HashIterations() {
            super(10000, 10000000, "must be between 10000 and 10000000");
        }
    }

    public static final class AtLeastOne extends IntRange {
        public AtLeastOne() {
            super(1, Integer.MAX_VALUE, "must be at least 1");
        }
    }

    public static final class OneTo64 extends IntRange {
        public OneTo64() {
            super(1, 64, "must be between 1 and 64");
        }
    }

    public static final class OneTo4096 extends IntRange {
        public OneTo4096() {
            super(1, 4096, "must be between 1 and 4096");
        }
    }

    /** Text that is more than spaces. */
    public static final class NotBlank implements Converter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("must not be blank");
            }
            return value;
        }
    }

    /** An absolute http(s) URL without query or fragment: the daemon's external base URL. */
    public static final class BaseUrl implements Converter<String> {
        private static final Pattern URL = Pattern.compile("https?://[^/?#\\s]+(/[^?#\\s]*)?");

        @Override
        public String convert(String value) {
            if (!URL.matcher(value).matches()) {
                throw new IllegalArgumentException("must be an absolute http:// or https:// URL without query or fragment");
            }
            return value;
        }
    }
}
