using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class H3LoopBadRatingLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "result",
                table: "follow_up_cases",
                type: "character varying(520)",
                maxLength: 520,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(500)",
                oldMaxLength: 500,
                oldNullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "appeal_decided_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "appeal_decided_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "appeal_decision",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "appeal_filed_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "appeal_filed_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "appeal_kind",
                table: "follow_up_cases",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "appeal_reason",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "appeal_upheld",
                table: "follow_up_cases",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "call_back_note",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "call_back_verdict",
                table: "follow_up_cases",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "called_back_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "called_back_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "finding",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "founded",
                table: "follow_up_cases",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "remedied_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "remedied_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "remedy_due_date",
                table: "follow_up_cases",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "remedy_plan",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "remedy_planned_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "remedy_planned_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "remedy_result",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "verified_at",
                table: "follow_up_cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "verified_by_staff_id",
                table: "follow_up_cases",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "appeal_decided_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_decided_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_decision",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_filed_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_filed_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_kind",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_reason",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "appeal_upheld",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "call_back_note",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "call_back_verdict",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "called_back_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "called_back_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "finding",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "founded",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedied_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedied_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedy_due_date",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedy_plan",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedy_planned_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedy_planned_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "remedy_result",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "verified_at",
                table: "follow_up_cases");

            migrationBuilder.DropColumn(
                name: "verified_by_staff_id",
                table: "follow_up_cases");

            migrationBuilder.AlterColumn<string>(
                name: "result",
                table: "follow_up_cases",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(520)",
                oldMaxLength: 520,
                oldNullable: true);
        }
    }
}
