import Foundation

/// A comma-separated table as text cells: one header line, then rows.
///
/// Understands RFC 4180 quoting (`"a,b"`, `""` inside quotes) and both `\n` and `\r\n` line ends.
/// Blank lines are skipped; rows shorter than the header are padded with empty cells (a run that
/// is still writing may leave a short last line) and extra cells are dropped.
struct CSVTable: Equatable {
    var header: [String]
    var rows: [[String]]

    init(parsing text: String) {
        var records = CSVTable.records(text)
        header = records.isEmpty ? [] : records.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        let width = header.count
        rows = records.map { record in
            record.count >= width ? Array(record.prefix(width)) : record + Array(repeating: "", count: width - record.count)
        }
    }

    /// Splits text into records of cells, honouring quotes; drops records that are one empty cell.
    private static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var cell = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            record.append(cell)
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
            cell = ""
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where cell.isEmpty: quoted = true
            case ",": record.append(cell); cell = ""
            case "\n": endRecord()
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord()
            default: cell.unicodeScalars.append(scalar)
            }
        }
        if !cell.isEmpty || !record.isEmpty { endRecord() }
        return records
    }
}
