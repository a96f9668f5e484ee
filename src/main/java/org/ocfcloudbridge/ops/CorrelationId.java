package org.ocfcloudbridge.ops;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.ocfcloudbridge.ocf.Protocol;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every HTTP request a correlation id (the caller's {@code Correlation-ID} header, which Part 10 defines, or a
 * new UUID), puts it in the log context as {@code correlationId} and echoes it in the response.
 */
public class CorrelationId {

    public static final String MDC_KEY = "correlationId";
    private static final String PROPERTY = CorrelationId.class.getName();
    /** A caller's id is logged, so only short, plain values are taken as they are. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @ServerRequestFilter(preMatching = true)
    public void onRequest(ContainerRequestContext request) {
        String given = request.getHeaderString(Protocol.Headers.CORRELATION_ID);
        String id = given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.setProperty(PROPERTY, id);
        MDC.put(MDC_KEY, id);
    }

    @ServerResponseFilter
    public void onResponse(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) {
            response.getHeaders().putSingle(Protocol.Headers.CORRELATION_ID, id);
        }
        MDC.remove(MDC_KEY);
    }
}
