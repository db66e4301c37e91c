using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <summary>
    /// How a case was accepted (容缺受理, 告知承诺) is recorded apart from how it ended. Tickets finished with the old outcomes
    /// keep what they meant: 容缺受理 was a case accepted with materials to follow, not yet finished (已受理); 告知承诺 a case
    /// accepted on a promise and finished on the spot (办结). The halls' outcome lists lose the two and gain 已受理 and 不予受理.
    /// </summary>
    public partial class AcceptanceApartFromOutcome : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "acceptance",
                table: "tickets",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);
            migrationBuilder.Sql("""
                UPDATE tickets SET acceptance = CASE outcome WHEN '容缺受理' THEN 'MaterialsToFollow' WHEN '告知承诺' THEN 'OnPromise' ELSE 'Normal' END
                WHERE outcome IS NOT NULL;
                UPDATE tickets SET outcome = CASE outcome WHEN '容缺受理' THEN '已受理' ELSE '办结' END WHERE outcome IN ('容缺受理', '告知承诺');
                UPDATE ticket_events SET outcome = CASE outcome WHEN '容缺受理' THEN '已受理' ELSE '办结' END WHERE outcome IN ('容缺受理', '告知承诺');
                UPDATE halls SET outcomes = array_remove(array_remove(outcomes, '容缺受理'), '告知承诺')
                    || ARRAY(SELECT o FROM unnest(ARRAY['已受理', '不予受理']::text[]) AS u(o) WHERE NOT o = ANY (outcomes))
                WHERE outcomes && ARRAY['容缺受理', '告知承诺']::text[];
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "acceptance",
                table: "tickets");
        }
    }
}
