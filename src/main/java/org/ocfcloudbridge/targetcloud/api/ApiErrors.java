package org.ocfcloudbridge.targetcloud.api;

import jakarta.ws.rs.core.Response;

/**
 * Refusals of the Cloud API: the status the swagger lists and one short line of plain text saying why (the swagger
 * defines no error body; a reason helps whoever reads the logs of the calling cloud).
 */
public final class ApiErrors {

    private ApiErrors() {
    }

    public static Response of(int status, String reason) {
        return Response.status(status).type("text/plain; charset=utf-8").entity(reason).build();
    }
}
