# Canvas's gradebook CSV import, reduced to what decides where a grade lands.
#
# Parsing and matching are canvas-lms app/models/gradebook_importer.rb, line for line where it
# matters: its two CSV converters, its parse options (skip_lines, col_sep from the first three
# lines), header?/update_column_count, strip_non_assignment_columns, parse_assignments with
# Assignment.title_and_id, check_for_non_student_row, process_student (ID, then SIS User ID,
# then SIS Login ID, then name), process_submissions, no_change_to_value?, and "remove
# concluded enrollments". The upload step then writes each changed cell (a blank one deletes
# the grade), as the gradebook upload page submits them.
#
# usage: ruby canvas_import.rb FILE.csv STATE.json  -> prints the gradebook after the import
#   STATE: {"students": [{"id", "name", "sortable_name", "sis_user_id", "login_id",
#           "concluded"}], "assignments": [{"id", "title"}], "scores": {"uid": {"aid": "5"}}}
require "csv"
require "json"

CSV::Converters[:nil] = lambda do |e|
  e.nil? ? e : raise
rescue
  e
end

CSV::Converters[:decimal_comma_to_period] = lambda do |field|
  if /^-?[0-9.,]+%?$/.match?(field)
    number_parts = field.split(/[,.]/)
    last_number_part = number_parts.pop
    if number_parts.empty?
      last_number_part
    else
      [number_parts.join, last_number_part].join(".")
    end
  else
    field
  end
end

NON_ASSIGNMENT_COLUMN_HEADERS = [
  "Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
  "Final Grade", "Override Score", "Override Grade", "Override Status"
].freeze

def title_and_id(str)
  if str =~ /\A(.*)\s\((\d+)\)\z/
    [$1, $2]
  else
    [str, nil]
  end
end

def identify_delimiter(rows)
  field_counts = {}
  %w[; ,].each do |separator|
    field_counts[separator] = 0
    field_count_by_row = rows.map { |line| CSV.parse_line(line, col_sep: separator)&.size || 0 }
    field_counts[separator] = field_count_by_row.first if field_count_by_row.uniq.size == 1
  rescue CSV::MalformedCSVError
    nil
  end
  (field_counts[";"] > field_counts[","]) ? ";" : ","
end

path, state_path = ARGV
state = JSON.parse(File.read(state_path))
students = state["students"].to_h { |s| [s["id"], s] }
assignments = state["assignments"].to_h { |a| [a["id"], a] }
scores = state["scores"]

first_lines = []
File.open(path) { |f| first_lines << f.readline while !f.eof? && first_lines.size < 3 }
opts = { converters: %i[nil decimal_comma_to_period], skip_lines: /^[;, ]+$/,
         col_sep: identify_delimiter(first_lines) }

out = { "errors" => [], "new_assignments" => [], "unmatched_rows" => [], "matched" => {},
        "ignored_columns" => [] }
columns = nil        # [[index, assignment id or nil]]
student_columns = nil
sis_user_col = sis_login_col = nil
rows = []
CSV.foreach(path, **opts) do |row|
  if columns.nil?
    unless (row.length > 3 && row[0].include?("Student") && row[1].include?("ID"))
      out["errors"] << "Invalid header row"
      break
    end
    student_columns = 3
    if /SIS\s+Login\s+ID/.match?(row[2])
      sis_login_col = 2
      student_columns += 1
    elsif row[2] =~ /SIS\s+User\s+ID/ && row[3] =~ /SIS\s+Login\s+ID/
      i = /Integration\s+ID/.match?(row[4]) ? 1 : 0
      sis_user_col = 2
      sis_login_col = 3
      student_columns += 2 + i
    end
    unless row[student_columns - 1].to_s.include?("Section")
      out["errors"] << "Invalid header row"
      break
    end
    original = row.dup
    stripped = row.drop(student_columns)
    regex = Regexp.new(NON_ASSIGNMENT_COLUMN_HEADERS.join("|"))
    out["ignored_columns"] = stripped.grep(regex)
    stripped = stripped.grep_v(regex)
    columns = stripped.map do |name_and_id|
      title, id = title_and_id(name_and_id)
      a = assignments[id.to_i] if id
      a ||= assignments.values.find { |x| x["title"] == name_and_id }
      unless a
        out["new_assignments"] << (title || name_and_id)
      end
      [original.index(name_and_id), a && a["id"]]
    end
    next
  end
  next if row[0]&.include?("Points Possible")
  next if row.compact.all? { |c| c =~ /^\s*(Muted|Manual Posting.*)?\s*$/i }

  student_id = row[1]
  student = students[student_id.to_i] if student_id && !student_id.strip.empty?
  unless student
    sis = sis_user_col && row[sis_user_col]
    login = sis_login_col && row[sis_login_col]
    student = students.values.find { |s| sis && !sis.empty? && s["sis_user_id"] == sis }
    student ||= students.values.find { |s| login && !login.empty? && s["login_id"] == login }
    student ||= students.values.find { |s| s["name"] == row[0] || s["sortable_name"] == row[0] }
  end
  if student.nil?
    out["unmatched_rows"] << row[0]
    next
  end
  next if student["concluded"]          # "remove concluded enrollments"

  out["matched"][row[0]] = student["id"]
  rows << [student, columns.map { |index, aid| [aid, row[index]&.strip] }]
end

def no_score?(v)
  v.nil? || v.to_s.strip.empty? || v == "-"
end

def no_change?(new_value, current)
  return true if new_value == current
  return true if no_score?(current) && no_score?(new_value)
  return false unless !no_score?(current) && !no_score?(new_value)
  format("%.2f", current.to_f) == format("%.2f", new_value.to_f)
end

rows.each do |student, cells|
  cells.each do |aid, grade|
    next if aid.nil?
    uid = student["id"].to_s
    current = scores.dig(uid, aid.to_s)
    next if no_change?(grade, current)
    scores[uid] ||= {}
    if no_score?(grade)
      scores[uid].delete(aid.to_s)      # a blank cell deletes the grade
    else
      scores[uid][aid.to_s] = grade
    end
  end
end
out["scores"] = scores
puts JSON.generate(out)
