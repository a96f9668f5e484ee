package org.ocfcloudbridge.ops;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * JSON with a key twice in one object is refused as malformed (400), as a syntax error is. Jackson otherwise takes
 * the last value, or, for a record such as the admin API's new user, fails with a definition error that the framework
 * answers 500 with a stack trace (found by HttpEntryPointsFuzzTest: {"password":"","password":""}). Which of two
 * values counts is also a question two parsers may answer differently: better not to answer it.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}
