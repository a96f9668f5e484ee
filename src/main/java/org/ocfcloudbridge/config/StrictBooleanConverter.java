package org.ocfcloudbridge.config;

import org.eclipse.microprofile.config.spi.Converter;

import java.util.Locale;

/**
 * SmallRye reads any unknown word as {@code false} with a warning, so {@code bridge.target.enabled=ture} would silently
 * switch a role off. Role switches accept only the usual spellings and refuse anything else.
 */
public class StrictBooleanConverter implements Converter<Boolean> {

    @Override
    public Boolean convert(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Boolean.TRUE;
            case "false", "no", "off", "0" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("expected true or false, got \"" + value + "\"");
        };
    }
}
