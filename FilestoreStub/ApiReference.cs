using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace FilestoreStub;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and the Scalar API reference (<c>/scalar</c>), in development.</summary>
public static class ApiReference
{
    public static IHostApplicationBuilder AddApiReference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Filestore (sandbox stub)";
            document.Info.Description = "The Filestore API that cutovers are rehearsed against. Every route but the probes needs a bearer token; "
                + "the operator's is in .sandbox/endpoints.json. Errors are RFC 7807 problems whose type starts with " + Problems.TypeBase + ".";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A Filestore token: the operator's, or one issued with POST /access/tokens.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi().AllowAnonymous();
            app.MapScalarApiReference(options => options.WithTitle("Filestore API")).AllowAnonymous();
        }

        return app;
    }
}
