<?php
// Moodle's "Import grades › CSV file", reduced to what decides where a grade lands and what
// text arrives.
//
// Reading is lib/csvlib.class.php csv_import_reader::load_csv_content: BOM removed,
// "\r\n?" -> "\n", trim(), fgetcsv($fp, 0, ',', '"') (PHP's default escape "\\"), empty lines
// skipped, every row must have the header's field count ("csvweirdcolumns"), then the rows are
// stored with csv_export_writer::print_array (fputcsv) and read back with fgetcsv by next().
// Importing is grade/import/csv/classes/load_data.php prepare_import_grade_data: each value
// clean_param(PARAM_RAW) + trim(); the mapped identifier column, when !empty($value), looks up
// the user (no match: the whole import aborts); a blank identifier keeps the previous row's
// user; a grade '' or '-' sets the final grade to NULL; feedback is stored as given.
//
// usage: php moodle_import.php FILE.csv STATE.json
//   STATE: {"users": [{"id", "username", "email", "idnumber"}], "map_from": "<header>",
//           "map_to": "userid|username|useremail|useridnumber",
//           "items": {"<header>": "<item id>"}, "feedback": {"<header>": "<item id>"},
//           "grades": {"<user id>": {"<item id>": "5"}}}
// prints {"error", "grades", "feedback", "rows"} as JSON.

$path = $argv[1];
$state = json_decode(file_get_contents($argv[2]), true);
$out = ["error" => null, "grades" => $state["grades"], "feedback" => [], "rows" => 0];

function parse_csv_text($content) {
    $fp = fopen("php://temp", "w+b");
    fwrite($fp, $content);
    fseek($fp, 0);
    $rows = [];
    while ($fgetdata = fgetcsv($fp, 0, ",", '"')) {
        if (count($fgetdata) == 1) {
            if ($fgetdata[0] !== null) {
                $rows[] = $fgetdata;
            }
        } else {
            $rows[] = $fgetdata;
        }
    }
    fclose($fp);
    return $rows;
}

$content = file_get_contents($path);
if (substr($content, 0, 3) === "\xEF\xBB\xBF") {
    $content = substr($content, 3);
}
$content = preg_replace('!\r\n?!', "\n", $content);
$content = trim($content);
$rows = parse_csv_text($content);
if (!isset($rows[0])) {
    $out["error"] = "csvemptyfile";
    echo json_encode($out);
    exit(0);
}
$colcount = count($rows[0]);
foreach ($rows as $row) {
    if (count($row) !== $colcount) {
        $out["error"] = "csvweirdcolumns";
        echo json_encode($out);
        exit(0);
    }
}
// print_array: fputcsv each row, then next() reads them back with fgetcsv.
$fp = fopen("php://temp", "w+");
foreach ($rows as $row) {
    fputcsv($fp, $row, ",", '"');
}
fseek($fp, 0);
$stored = stream_get_contents($fp);
fclose($fp);
$rows = parse_csv_text($stored);

$header = array_map("trim", array_shift($rows));
$fields = ["userid" => "id", "useridnumber" => "idnumber", "useremail" => "email",
           "username" => "username"];
$mapfrom = array_search($state["map_from"], $header, true);
if ($mapfrom === false) {
    $out["error"] = "no column " . $state["map_from"];
    echo json_encode($out);
    exit(0);
}
$field = $fields[$state["map_to"]];
$studentid = null;
$pending = [];
foreach ($rows as $line) {
    if (count($line) <= 1) {
        continue;
    }
    $newgrades = [];
    $newfeedback = [];
    foreach ($line as $key => $value) {
        $value = trim($value);
        $head = $header[$key];
        if ($key === $mapfrom) {
            if (!empty($value)) {
                $found = null;
                $hits = 0;
                foreach ($state["users"] as $u) {
                    if ((string)$u[$field] === $value) {
                        $found = $u;
                        $hits++;
                    }
                }
                if ($hits !== 1) {     // none, or get_record() throwing on several
                    $out["error"] = "usermappingerror: " . $field . " " . $value;
                    $out["grades"] = $state["grades"];   // import_cleanup: nothing applied
                    $out["feedback"] = [];
                    echo json_encode($out);
                    exit(0);
                }
                $studentid = $found["id"];
            }
        } elseif (isset($state["items"][$head])) {
            $newgrades[$state["items"][$head]] = ($value === "" || $value == "-") ? null : $value;
        } elseif (isset($state["feedback"][$head])) {
            $newfeedback[$state["feedback"][$head]] = $value;
        }
    }
    if (empty($studentid)) {
        $out["error"] = "usermappingerrorusernotfound";
        $out["grades"] = $state["grades"];
        $out["feedback"] = [];
        echo json_encode($out);
        exit(0);
    }
    $pending[] = [$studentid, $newgrades, $newfeedback];
    $out["rows"]++;
}
foreach ($pending as [$uid, $grades, $feedback]) {
    foreach ($grades as $item => $grade) {
        $out["grades"][(string)$uid][(string)$item] = $grade;
    }
    foreach ($feedback as $item => $text) {
        $out["feedback"][(string)$uid][(string)$item] = $text;
    }
}
echo json_encode($out, JSON_UNESCAPED_UNICODE);
