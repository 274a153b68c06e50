namespace Peercall.EndToEnd.Tests.Measurements;

/// <summary>A measurement, not a check: it runs only with PEERCALL_MEASURE=1 and is skipped otherwise, so the
/// normal test run stays short.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("PEERCALL_MEASURE") != "1")
            Skip = "Measurements run with PEERCALL_MEASURE=1; see docs/measurements-web.md.";
    }
}
