using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using Hall.Server.Contracts;

namespace Hall.Server.Tickets;

/// <summary>
/// What one transition does to a ticket's columns. Each transition is defined once, as a change made by <see cref="Ticket"/>;
/// the entity applies it to itself (the EF command paths, the bulk seeders), and the raw command paths write the same
/// change as one UPDATE (<see cref="Queue.TicketStatements.Update"/>), so no path can write a transition its own way.
/// </summary>
public sealed partial class TicketChange(TicketEventKind kind)
{
    private readonly List<(PropertyInfo Property, object? Value)> _sets = [];

    public TicketEventKind Kind => kind;

    /// <summary>The state the change leaves the ticket in; null when it keeps its state (a recall, a rating).</summary>
    public TicketState? To => _sets.Where(s => s.Property.Name == nameof(Ticket.State)).Select(s => (TicketState?)s.Value).LastOrDefault();

    /// <summary>The columns the change writes, with their values.</summary>
    public IEnumerable<(string Column, object? Value)> Columns => _sets.Select(s => (Column(s.Property), s.Value));

    internal TicketChange Set<T>(Expression<Func<Ticket, T>> property, T value)
    {
        var member = (PropertyInfo)((MemberExpression)property.Body).Member;
        _sets.Add((member, value));
        return this;
    }

    internal void ApplyTo(Ticket ticket)
    {
        foreach (var (property, value) in _sets)
        {
            property.SetValue(ticket, value);
        }
    }

    /// <summary>A ticket property's column: its name in snake case, as the model maps it (a test holds the two together).</summary>
    public static string Column(PropertyInfo property) => SnakeBoundary().Replace(property.Name, "$1_$2").ToLowerInvariant();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex SnakeBoundary();
}
