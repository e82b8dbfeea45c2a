"""A frame number drawn into the picture, so a receiver can tell which frame it decoded.

The luma plane is cut into a grid of 8 x 4 big blocks. Each block is one bit: black (Y=16)
for 0, white (Y=235) for 1. The 32 bits are the 16-bit frame number followed by its
CRC-16/CCITT, most significant bit first, left to right, top to bottom. Blocks are 40 x 60
pixels at 320 x 240, flat and high-contrast, so a VP8 encoder at a few hundred kbit/s keeps
them readable; the reader samples only the middle of each block and checks the CRC, so a
corrupt or half-decoded picture reads as "unreadable" rather than as a wrong number.
"""

from fractions import Fraction

COLUMNS = 8
ROWS = 4
WIDTH = 320
HEIGHT = 240
BLACK = 16
WHITE = 235
THRESHOLD = (BLACK + WHITE) // 2


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): any single flipped bit changes it."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def bits_for(number: int) -> list[int]:
    """The 32 block values for a frame number (taken modulo 2^16)."""
    number &= 0xFFFF
    word = (number << 16) | crc16(number.to_bytes(2, "big"))
    return [(word >> (31 - index)) & 1 for index in range(COLUMNS * ROWS)]


def luma_plane(number: int, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The Y plane (width * height bytes, no padding) that carries `number`."""
    bits = bits_for(number)
    rows = []
    for row in range(ROWS):
        line = bytearray()
        for column in range(COLUMNS):
            x0 = column * width // COLUMNS
            x1 = (column + 1) * width // COLUMNS
            line += bytes([WHITE if bits[row * COLUMNS + column] else BLACK]) * (x1 - x0)
        y0 = row * height // ROWS
        y1 = (row + 1) * height // ROWS
        rows.append(bytes(line) * (y1 - y0))
    return b"".join(rows)


def read_number(plane, line_size: int, width: int, height: int) -> int | None:
    """Reads the number back from a decoded Y plane of any size, or None if the CRC fails.

    `plane` is any buffer of bytes (a PyAV plane works) whose rows are `line_size` apart.
    Each block is judged by the mean of 3 x 3 samples taken in its middle half.
    """
    view = memoryview(plane).cast("B")
    word = 0
    for row in range(ROWS):
        for column in range(COLUMNS):
            total = 0
            for fy in (0.35, 0.5, 0.65):
                y = int((row + fy) * height / ROWS)
                base = y * line_size
                for fx in (0.35, 0.5, 0.65):
                    total += view[base + int((column + fx) * width / COLUMNS)]
            word = (word << 1) | (1 if total / 9 > THRESHOLD else 0)
    number, check = word >> 16, word & 0xFFFF
    if crc16(number.to_bytes(2, "big")) != check:
        return None
    return number


def make_frame(number: int, pts: int, time_base: Fraction):
    """A yuv420p PyAV frame showing `number`, with grey chroma."""
    from av import VideoFrame

    frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
    for index, plane in enumerate(frame.planes):
        if index == 0:
            source = luma_plane(number)
            row_bytes, rows = WIDTH, HEIGHT
        else:
            row_bytes, rows = WIDTH // 2, HEIGHT // 2
            source = bytes([128]) * (row_bytes * rows)
        if plane.line_size == row_bytes:
            plane.update(source)
        else:  # rows padded for alignment: copy row by row
            padded = bytearray(plane.line_size * rows)
            for y in range(rows):
                padded[y * plane.line_size : y * plane.line_size + row_bytes] = source[y * row_bytes : (y + 1) * row_bytes]
            plane.update(bytes(padded))
    frame.pts = pts
    frame.time_base = time_base
    return frame


def read_frame(frame) -> int | None:
    """The number shown by a decoded PyAV video frame, or None if unreadable."""
    if frame.format.name not in ("yuv420p", "yuvj420p", "nv12", "yuv422p", "yuv444p", "gray"):
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    return read_number(plane, plane.line_size, frame.width, frame.height)
