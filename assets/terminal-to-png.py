#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -e -p` (text with ANSI colours) as a
PNG, for the README's screenshots. Half and full blocks are drawn as exact rectangles, so a QR
code on screen stays scannable in the picture.

    tmux capture-pane -e -p -t SESSION > screen.ans
    python3 assets/terminal-to-png.py screen.ans assets/screenshot.png

Needs Pillow (`pip install pillow`) and the DejaVu Sans Mono font (Debian: fonts-dejavu-core).
"""

import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 16
CELL_W, CELL_H = 10, 20
BG, FG = (24, 24, 28), (220, 220, 220)
PALETTE = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def color_256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


def apply(codes, state):
    codes = [int(c) if c else 0 for c in re.split(r"[;:]", codes or "0")]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, dim=False, reverse=False)
        elif c == 1:
            state["bold"] = True
        elif c == 2:
            state["dim"] = True
        elif c == 22:
            state.update(bold=False, dim=False)
        elif c == 7:
            state["reverse"] = True
        elif c == 27:
            state["reverse"] = False
        elif 30 <= c <= 37:
            state["fg"] = PALETTE[c - 30]
        elif 90 <= c <= 97:
            state["fg"] = PALETTE[c - 90 + 8]
        elif c == 39:
            state["fg"] = None
        elif 40 <= c <= 47:
            state["bg"] = PALETTE[c - 40]
        elif 100 <= c <= 107:
            state["bg"] = PALETTE[c - 100 + 8]
        elif c == 49:
            state["bg"] = None
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key] = color_256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state[key] = tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def main(source, target):
    lines = open(source, encoding="utf-8").read().rstrip("\n").split("\n")
    width = max(len(SGR.sub("", line)) for line in lines)
    image = Image.new("RGB", (width * CELL_W + 2 * CELL_W, len(lines) * CELL_H + 2 * CELL_W), BG)
    draw = ImageDraw.Draw(image)
    regular, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    state = dict(fg=None, bg=None, bold=False, dim=False, reverse=False)
    for row, line in enumerate(lines):
        col, pos = 0, 0
        for match in list(SGR.finditer(line)) + [None]:
            end = match.start() if match else len(line)
            for ch in line[pos:end]:
                fg, bg = state["fg"] or FG, state["bg"] or BG
                if state["dim"]:
                    fg = tuple(int(v * 0.6 + b * 0.4) for v, b in zip(fg, BG))
                if state["reverse"]:
                    fg, bg = bg, fg
                x, y = CELL_W + col * CELL_W, CELL_W + row * CELL_H
                draw.rectangle([x, y, x + CELL_W - 1, y + CELL_H - 1], fill=bg)
                if ch == "█":
                    draw.rectangle([x, y, x + CELL_W - 1, y + CELL_H - 1], fill=fg)
                elif ch == "▀":
                    draw.rectangle([x, y, x + CELL_W - 1, y + CELL_H // 2 - 1], fill=fg)
                elif ch == "▄":
                    draw.rectangle([x, y + CELL_H // 2, x + CELL_W - 1, y + CELL_H - 1], fill=fg)
                elif ch != " ":
                    draw.text((x, y + 1), ch, font=bold if state["bold"] else regular, fill=fg)
                col += 1
            if match:
                apply(match.group(1), state)
                pos = match.end()
    image.save(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
