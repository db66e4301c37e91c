using System.Globalization;
using Hall.Server.Queue;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hall.Server.Bookings;

/// <summary>
/// The OpenAPI document of the public booking API, for the province's app or a WeChat mini program: <c>/openapi/booking.json</c>.
/// It holds the booking endpoints only (none of the staff's or the devices'), each with its answers and its refusals by code.
/// </summary>
public static class BookingOpenApi
{
    public const string Document = "booking";

    public static IServiceCollection AddBookingOpenApi(this IServiceCollection services) => services.AddOpenApi(Document, o =>
    {
        o.ShouldInclude = d => d.GroupName == Document;
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Hall booking API (网上预约)";
            document.Info.Version = "1";
            document.Info.Description = "Public, no sign-in; {hall} is the hall's code. Every refusal is {code, messageZh, messageEn}; "
                + "booking is limited per client address and per ID number, looking up per address and per booking code (429 too_many_requests, Retry-After: 60).";
            return Task.CompletedTask;
        });
        // Every field of a booking request is needed but the service item; the fields are nullable only so a missing one is refused by name.
        o.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(BookingEndpoints.BookBody))
            {
                schema.Required = new HashSet<string> { "requestId", "serviceId", "date", "start", "name", "idNumber", "mobile" };
            }
            return Task.CompletedTask;
        });
    });

    public static void MapBookingOpenApi(this WebApplication app) => app.MapOpenApi("/openapi/{documentName}.json");

    internal static RouteHandlerBuilder Documented(this RouteHandlerBuilder endpoint, string summary, string description) =>
        endpoint.WithSummary(summary).WithDescription(description);

    /// <summary>The request's body is a <typeparamref name="T"/> (the handler takes it nullable only to refuse a missing one by name).</summary>
    internal static RouteHandlerBuilder Takes<T>(this RouteHandlerBuilder endpoint) => endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
    {
        if (operation.RequestBody is OpenApiRequestBody body && body.Content?.TryGetValue("application/json", out var json) == true && json.Schema?.OneOf is { } choices)
        {
            json.Schema = choices.OfType<OpenApiSchemaReference>().Single(c => c.Reference.Id == typeof(T).Name);
            body.Required = true;
        }
        return Task.CompletedTask;
    });

    internal static RouteHandlerBuilder Answers<T>(this RouteHandlerBuilder endpoint, int status) => endpoint.Produces<T>(status, "application/json");

    internal static RouteHandlerBuilder Answers(this RouteHandlerBuilder endpoint, int status) => endpoint.Produces(status);

    /// <summary>The error shape under <paramref name="status"/>, its description naming each code with its English and Chinese message.</summary>
    internal static RouteHandlerBuilder Refuses(this RouteHandlerBuilder endpoint, int status, params Refusal[] refusals)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        var text = string.Join("; ", refusals.DistinctBy(r => r.MessageEn).Select(r => $"{r.Code}: {r.MessageEn} {r.MessageZh}"));
        return endpoint.Produces<BookingEndpoints.ErrorAnswer>(status, "application/json").AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue(key, out var response) == true)
            {
                response.Description = text;
            }
            return Task.CompletedTask;
        });
    }
}
