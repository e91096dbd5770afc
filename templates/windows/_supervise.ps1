{# The boot task that runs this script cannot do that itself: Task Scheduler's restart
   settings retry a task that failed to start, not a program that exited. -#}
# Keeps a program running: whenever it exits it starts again after a pause that doubles
# from 5 s to 5 minutes (5 s again after a run of 10 minutes). Its stdout and stderr go to
# $Log, rotated at 10 MB with five old files kept ($Log.1 the newest).
function Invoke-Supervised {
    param(
        [string] $Name,
        [string] $FilePath,
        [string[]] $ArgumentList,
        [string] $Log,
        # Runs before each start; it waits for what the program needs.
        [scriptblock] $BeforeStart
    )
    $maxBytes = 10mb
    $keep = 5
    $pause = 5
    while ($true) {
        if ((Test-Path $Log) -and (Get-Item -Path $Log).Length -gt $maxBytes) {
            Move-OldLogs $Log $keep
        }
        # The writer sits in a table so that the pipeline below can swap it when it rotates.
        $sink = @{ Writer = (Open-Log $Log) }
        try {
            if ($BeforeStart) {
                & $BeforeStart
            }
        } catch {
            # Whatever failed is tried again: nothing else would start the program.
            $sink.Writer.WriteLine("kubeplan: before starting ${Name}: $_; trying again in $pause s")
            $sink.Writer.Close()
            Start-Sleep -Seconds $pause
            $pause = [math]::Min($pause * 2, 300)
            continue
        }
        $sink.Writer.WriteLine("kubeplan: starting $Name")
        $started = Get-Date
        $exitCode = & {
            # Windows PowerShell 5.1 makes each line of a native program's redirected
            # stderr an error record, which 'Stop' makes terminating at the first line
            # (PowerShell/PowerShell#3996): here they are only lines of the log.
            $ErrorActionPreference = 'Continue'
            & $FilePath @ArgumentList 2>&1 | ForEach-Object {
                $sink.Writer.WriteLine("$_")
                if ($sink.Writer.BaseStream.Length -gt $maxBytes) {
                    $sink.Writer.Close()
                    Move-OldLogs $Log $keep
                    $sink.Writer = Open-Log $Log
                }
            }
            $LASTEXITCODE
        }
        $ran = (Get-Date) - $started
        if ($ran.TotalMinutes -ge 10) {
            $pause = 5
        }
        $sink.Writer.WriteLine("kubeplan: $Name exited with code $exitCode after $([int] $ran.TotalSeconds) s; starting it again in $pause s")
        $sink.Writer.Close()
        Start-Sleep -Seconds $pause
        $pause = [math]::Min($pause * 2, 300)
    }
}

# The log, appended to as UTF-8 without a byte-order mark, each line written through.
function Open-Log([string] $Log) {
    $writer = New-Object System.IO.StreamWriter($Log, $true, (New-Object System.Text.UTF8Encoding($false)))
    $writer.AutoFlush = $true
    $writer
}

# $Log becomes $Log.1, $Log.1 becomes $Log.2, and so on; the oldest beyond $Keep goes.
function Move-OldLogs([string] $Log, [int] $Keep) {
    Remove-Item -Path "$Log.$Keep" -Force -ErrorAction SilentlyContinue
    for ($i = $Keep - 1; $i -ge 1; $i--) {
        if (Test-Path "$Log.$i") {
            Move-Item -Force -Path "$Log.$i" -Destination "$Log.$($i + 1)"
        }
    }
    Move-Item -Force -Path $Log -Destination "$Log.1"
}