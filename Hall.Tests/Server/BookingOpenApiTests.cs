using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hall.Tests.Support;

namespace Hall.Tests.Server;

/// <summary>The booking API's OpenAPI document, fetched over HTTP from the real server, as the province's app developers would.</summary>
[TestFixture, NonParallelizable]
public sealed class BookingOpenApiTests
{
    private HallApp _app = null!;
    private JsonElement _document;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HallApp.StartAsync("booking-openapi", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)));
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        var response = await http.GetAsync("/openapi/booking.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "served without signing in");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        _document = await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private JsonElement Operation(string path, string method) => _document.GetProperty("paths").GetProperty(path).GetProperty(method);

    /// <summary>The schema itself where <paramref name="schema"/> is a reference to one of the document's components.</summary>
    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? _document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private JsonElement ResponseSchema(string path, string method, string status) =>
        Resolve(Operation(path, method).GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema"));

    private static string[] Names(JsonElement schema) => [.. schema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    [Test]
    public void It_lists_the_public_booking_endpoints_and_nothing_else()
    {
        var paths = _document.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateObject().Select(m => m.Name).Order().ToArray());
        Assert.That(paths, Is.EqualTo(new Dictionary<string, string[]>
        {
            ["/api/booking/{hall}/services"] = ["get"],
            ["/api/booking/{hall}/slots"] = ["get"],
            ["/api/booking/{hall}/items"] = ["get"],
            ["/api/booking/{hall}/tickets"] = ["post"],
            ["/api/booking/{hall}/bookings"] = ["post"],
            ["/api/booking/{hall}/bookings/{code}"] = ["delete", "get"],
            ["/api/booking/{hall}/bookings/{code}/qr.svg"] = ["get"],
        }));
        Assert.That(_document.GetProperty("openapi").GetString(), Does.StartWith("3."));
        Assert.That(Operation("/api/booking/{hall}/bookings", "post").GetProperty("summary").GetString(), Is.EqualTo("Book a slot"));
    }

    [Test]
    public void Booking_names_every_field_of_its_request_and_its_answer()
    {
        var body = Operation("/api/booking/{hall}/bookings", "post").GetProperty("requestBody");
        Assert.That(body.GetProperty("required").GetBoolean(), Is.True);
        var request = Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.That(Names(request), Is.EquivalentTo(new[] { "requestId", "serviceId", "serviceItemId", "date", "start", "name", "idNumber", "mobile" }));
        Assert.That(request.GetProperty("required").EnumerateArray().Select(r => r.GetString()),
            Is.EquivalentTo(new[] { "requestId", "serviceId", "date", "start", "name", "idNumber", "mobile" }), "all but the service item");
        Assert.That(Names(ResponseSchema("/api/booking/{hall}/bookings", "post", "201")),
            Is.EquivalentTo(new[] { "code", "serviceId", "serviceName", "serviceItemId", "itemName", "date", "start", "end", "nameMasked", "idMasked", "mobileMasked", "state" }));
        Assert.That(Names(Resolve(ResponseSchema("/api/booking/{hall}/slots", "get", "200").GetProperty("properties").GetProperty("slots").GetProperty("items"))),
            Is.EquivalentTo(new[] { "start", "end", "capacity", "left", "state" }));
        var parameters = Operation("/api/booking/{hall}/slots", "get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.That(parameters, Is.EquivalentTo(new[] { "hall", "service", "date" }));
    }

    [Test]
    public void Every_refusal_has_the_error_shape_and_its_codes_are_named()
    {
        var expected = new (string Path, string Method, string Status, string[] Codes)[]
        {
            ("/api/booking/{hall}/bookings", "post", "400", ["invalid_request_id", "invalid_date", "invalid_start", "invalid_name", "invalid_id_number", "invalid_mobile", "mobile_required", "slot_unknown", "booking_not_released", "slot_closed", "unknown_service_item"]),
            ("/api/booking/{hall}/bookings", "post", "404", ["unknown_hall", "booking_not_offered"]),
            ("/api/booking/{hall}/bookings", "post", "409", ["slot_full", "too_many_bookings", "already_booked", "booking_banned", "request_id_reused"]),
            ("/api/booking/{hall}/bookings", "post", "429", ["too_many_requests"]),
            ("/api/booking/{hall}/bookings/{code}", "get", "404", ["unknown_hall", "unknown_booking"]),
            ("/api/booking/{hall}/bookings/{code}", "delete", "409", ["booking_not_cancellable"]),
            ("/api/booking/{hall}/bookings/{code}", "delete", "429", ["too_many_requests"]),
            ("/api/booking/{hall}/slots", "get", "400", ["invalid_date"]),
            ("/api/booking/{hall}/services", "get", "429", ["too_many_requests"]),
        };
        foreach (var (path, method, status, codes) in expected)
        {
            var response = Operation(path, method).GetProperty("responses").GetProperty(status);
            Assert.That(response.GetProperty("description").GetString(), Does.Contain(codes[0] + ":"), $"{method} {path} {status}");
            foreach (var code in codes)
            {
                Assert.That(response.GetProperty("description").GetString(), Does.Contain(code), $"{method} {path} {status}");
            }
            Assert.That(Names(ResponseSchema(path, method, status)), Is.EquivalentTo(new[] { "code", "messageZh", "messageEn" }), $"{method} {path} {status}");
        }
        Assert.That(Operation("/api/booking/{hall}/bookings/{code}", "delete").GetProperty("responses").TryGetProperty("204", out _), Is.True);
    }
}
