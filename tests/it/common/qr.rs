//! Reads a QR code back from a terminal screen: the half blocks tokendeck draws (light modules as
//! foreground blocks, two modules per cell), found on the screen, turned into a bitmap and decoded
//! with `rqrr` — so a test can prove that the code on screen carries exactly the URL beside it.

/// The text of the QR code drawn on `screen`, if one is there and decodes.
pub fn decode(screen: &str) -> Option<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    // The top of the quiet zone: the first of the longest runs of full blocks.
    let runs: Vec<(usize, usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(row, line)| {
            let (start, len) = longest_run(line, '█')?;
            Some((row, start, len))
        })
        .collect();
    let longest = runs.iter().map(|(_, _, len)| *len).max()?;
    let &(top, left, width) = runs.iter().find(|(_, _, len)| *len == longest)?;
    if width < 21 {
        return None;
    }
    // A QR code is square: `width` modules down, two to a line.
    let cells: Vec<&[char]> = lines
        .get(top..top + width.div_ceil(2))?
        .iter()
        .map(|line| line.get(left..left + width))
        .collect::<Option<_>>()?;
    // Module (x, y) is light when its half of the cell is drawn.
    let light = |x: usize, y: usize| match cells[y / 2][x] {
        '█' => true,
        '▀' => y.is_multiple_of(2),
        '▄' => !y.is_multiple_of(2),
        _ => false,
    };
    const SCALE: usize = 4;
    let (w, h) = (width * SCALE, cells.len() * 2 * SCALE);
    let mut image =
        rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| !light(x / SCALE, y / SCALE));
    let grids = image.detect_grids();
    let (_, content) = grids.first()?.decode().ok()?;
    Some(content)
}

fn longest_run(line: &[char], c: char) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = None;
    for (i, &ch) in line.iter().chain(std::iter::once(&'\0')).enumerate() {
        match (ch == c, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if best.is_none_or(|(_, len)| i - s > len) {
                    best = Some((s, i - s));
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}
